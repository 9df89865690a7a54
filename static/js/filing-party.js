// "Người nộp là một bên" (filing/parties.py): the party the applicant is needs nothing typed, so its
// fields are hidden as soon as it is picked. Without this script the server ignores them all the same.
(function () {
  "use strict";
  var choices = document.querySelectorAll('input[type="radio"][name$="-party"]');
  if (!choices.length) { return; }
  function update() {
    var picked = document.querySelector('input[type="radio"][name$="-party"]:checked');
    var party = picked ? picked.value : "";
    document.querySelectorAll("[data-party]").forEach(function (input) {
      var box = input.closest(".field") || input;
      box.hidden = party !== "" && input.getAttribute("data-party") === party;
    });
  }
  choices.forEach(function (choice) { choice.addEventListener("change", update); });
  update();
}());
