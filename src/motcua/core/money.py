"""Amounts of money in Vietnamese words, as receipts write them ("Bằng chữ: …")."""

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _three(n: int, leading: bool) -> list[str]:
    """Words of 0 < n < 1000; inside a number (not leading) the hundreds are always said."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    words = []
    if h or not leading:
        words += [DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if words:
                words.append("linh")
            words.append(DIGITS[u])
    elif t == 1:
        words.append("mười")
        if u:
            words.append("lăm" if u == 5 else DIGITS[u])
    else:
        words += [DIGITS[t], "mươi"]
        if u == 1:
            words.append("mốt")
        elif u == 5:
            words.append("lăm")
        elif u:
            words.append(DIGITS[u])
    return words


def _below_billion(n: int, leading: bool) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for g, name in zip(groups, ("triệu", "nghìn", ""), strict=True):
        if g:
            words += _three(g, leading=leading and not words)
            if name:
                words.append(name)
    return words


def _words(n: int, leading: bool = True) -> list[str]:
    # Past a billion the count of billions is read as a number of its own: "một nghìn tỷ".
    billions, rest = divmod(n, 1_000_000_000)
    words = [*_words(billions), "tỷ"] if billions else []
    return words + _below_billion(rest, leading=leading and not billions)


def number_in_words(n: int) -> str:
    """1005000 → "một triệu không trăm linh năm nghìn"."""
    if n < 0:
        return "âm " + number_in_words(-n)
    if n == 0:
        return DIGITS[0]
    return " ".join(_words(n))


def dong_in_words(amount: int) -> str:
    """20000 → "Hai mươi nghìn đồng"."""
    text = number_in_words(int(amount)) + " đồng"
    return text[0].upper() + text[1:]
