"""统一社会信用代码 (GB 32100-2015): the 18-character code with an ISO 7064 MOD 31-3 check character.

Written by hand: the algorithm is ten lines and no maintained Python library ships it with the
union-specific rule (a union's own code starts with 81).
"""

import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalize(code: str) -> str:
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


def check_char(body17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(body17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str, *, union: bool = False) -> str | None:
    """Why `code` is not a valid credit code (Chinese), or None when it is.

    With union=True the code must also be a union's own (登记管理部门 8, 机构类别 1: starts with 81).
    """
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位。"
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、S、V、Z）。"
    expected = check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为 {expected}，请核对证照。"
    if union and not code.startswith("81"):
        return "工会的统一社会信用代码应以 81 开头（工会法人资格证书上的代码）。"
    return None


def make(prefix: str, region: str, subject: str) -> str:
    """Build a valid code from a 2-char prefix, a 6-digit region and a 9-char subject id."""
    body = prefix + region + subject
    return body + check_char(body)
