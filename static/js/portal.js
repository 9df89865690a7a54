/* The portal's few enhancements; every page works without them. One file, loaded by every layout,
   because the Content-Security-Policy allows no inline script (script-src 'self'). */
(function () {
  "use strict";

  // The captcha's "another code" link: without JavaScript it reloads the page with a new code;
  // with it, only the challenge changes.
  document.querySelectorAll("[data-captcha] .captcha-refresh").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var box = link.closest("[data-captcha]");
      event.preventDefault();
      fetch(link.dataset.refresh, {headers: {"X-Requested-With": "XMLHttpRequest"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          box.querySelector("img.captcha").src = data.image_url;
          box.querySelector("input[type=hidden]").value = data.key;
          var audio = box.querySelector("a.captcha-audio");
          if (audio && data.audio_url) { audio.href = data.audio_url; }
          var answer = box.querySelector("input[type=text]");
          answer.value = ""; answer.focus();
        })
        .catch(function () { window.location.href = link.href; });
    });
  });

  // "Copy the code" on the success page: shown only where the clipboard is available.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copyTarget);
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var status = document.getElementById(button.dataset.copyStatus);
        if (status) { status.textContent = button.dataset.copied || ""; }
      });
    });
  });

  // After a failed submit, the error summary takes the focus, so a screen reader reads it and
  // a keyboard user starts from it (role="alert" alone does not move the focus).
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // Print buttons of the receipts and slips.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;  // hidden in the page: without JavaScript a print button would do nothing
    button.addEventListener("click", function () { window.print(); });
  });
})();
