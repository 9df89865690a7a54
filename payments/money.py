"""Amounts in đồng as Vietnamese documents write them: ``50.000`` and, on a receipt, in words."""

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu", "tỷ"]


def format_dong(amount):
    """50000 -> "50.000" (a dot between thousands, as in Vietnamese)."""
    return f"{int(amount):,}".replace(",", ".")


def _read_triple(number, full):
    """Read 0–999; ``full`` when a higher group precedes it ("không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount):
    """50000 -> "Năm mươi nghìn đồng"; how a receipt writes the amount ("bằng chữ")."""
    amount = int(amount)
    if amount == 0:
        return "Không đồng"
    words = []
    billions, rest = divmod(amount, 10**9)
    if billions:
        words += amount_in_words(billions).removesuffix(" đồng").lower().split() + ["tỷ"]
    groups = [rest // 10**6, rest // 1000 % 1000, rest % 1000]
    for index, group in enumerate(groups):
        if group:
            words += _read_triple(group, full=bool(words))
            label = _GROUPS[2 - index]
            if label:
                words.append(label)
    text = " ".join(words)
    return f"{text[0].upper()}{text[1:]} đồng"
