""""Người nộp là một bên": a declaration about two people (a marriage) whose applicant is one of them.

The marriage declaration asks each party's name, birth date and ID number, and the applicant form
has just asked the applicant's. When the applicant says which party they are, that party's fields
are not shown or typed again: they take the applicant's values (the VNeID claims when signed in),
checked by the applicant form, and the dossier's declaration holds them like typed ones.

A procedure offers the choice when its declaration has both parties' name fields (``ho_ten_chong``
and ``ho_ten_vo``, the demo catalogue's keys, as in the Ministry of Justice's form).
"""

from django.utils.translation import gettext_lazy as _

from dossiers.declaration import to_json

PARTIES = [("chong", _("Bên nam")), ("vo", _("Bên nữ"))]
# A party's field, by the stem of its key, and the applicant's field whose value it takes.
FROM_APPLICANT = {"ho_ten": "full_name", "ngay_sinh": "birth_date", "so_dinh_danh": "id_number",
                  "giay_to": "id_number"}


def party_choices(schema):
    """The parties the applicant may be, for a declaration with both parties' names; else ``[]``."""
    keys = {spec["key"] for spec in schema}
    if all(f"ho_ten_{party}" in keys for party, _label in PARTIES):
        return PARTIES
    return []


def party_keys(schema, party):
    """``{declaration key: applicant field}`` of the party's fields that the applicant's answers fill."""
    keys = {spec["key"] for spec in schema}
    return {f"{stem}_{party}": source for stem, source in FROM_APPLICANT.items() if f"{stem}_{party}" in keys}


def take_party_from_applicant(declaration, schema, party):
    """The applicant is ``party``: drop that party's fields from the declaration form (nothing to type)."""
    for key in party_keys(schema, party):
        declaration.fields.pop(key, None)


def mark_party_fields(declaration, schema):
    """Tag each party's fields, so the page's script hides them as soon as the applicant picks that party."""
    for party, _label in party_choices(schema):
        for key in party_keys(schema, party):
            if key in declaration.fields:
                declaration.fields[key].widget.attrs["data-party"] = party


def party_values(schema, party, applicant_cleaned):
    """The declaration values of ``party``'s fields, from the applicant's cleaned answers (JSON-ready)."""
    return {key: to_json(applicant_cleaned.get(source)) for key, source in party_keys(schema, party).items()}
