"""The supported international host letters, one by one, against upstream's pydantic.

Every code point of the blocks the READMEs list goes through each URL layer's
vendored ``normalise_http_url`` and through pydantic's ``AnyHttpUrl``
(``kit.url_oracle``); so do the hand-written cases of ``test_urls.py``. The
generated-URL properties are in each URL layer's ``test_fuzz.py``.
"""

import unicodedata

import pytest

from kit.url_oracle import (
    DOCUMENTED_BLOCKS,
    OLDER_UTS46,
    REFUSAL,
    URL_LAYERS,
    documented_letter,
    in_refused_class,
    older_uts46_answer,
    upstream,
)


@pytest.fixture(params=URL_LAYERS)
def layer(request):
    return request.param


def _block_code_points():
    for lo, hi in DOCUMENTED_BLOCKS:
        yield from range(lo, hi + 1)


@pytest.mark.parametrize("name", URL_LAYERS)
def test_every_supported_host_letter_maps_like_pydantic(import_layer, name):
    """Every code point of the listed blocks: a documented letter is accepted and maps as
    upstream maps it (between ASCII letters, alone, and as its own xn-- label); any other
    is refused with the documented reason."""
    normalise = import_layer(name).normalise_http_url
    accepted = 0
    for cp in _block_code_points():
        ch = chr(cp)
        for raw in (f"http://a{ch}b.{ch}/",):
            if documented_letter(ch):
                assert normalise(raw) == upstream(raw) or OLDER_UTS46 and older_uts46_answer(raw), (
                    f"U+{cp:04X}")
                accepted += 1
            else:
                with pytest.raises(ValueError) as info:
                    normalise(raw)
                assert REFUSAL in str(info.value) or upstream(raw) is None, f"U+{cp:04X}"
        if documented_letter(ch) and ch.lower() == ch:
            raw = "http://xn--" + ch.encode("punycode").decode("ascii") + "/"
            assert normalise(raw) == upstream(raw) == raw, f"U+{cp:04X}"
    assert accepted > 30000


def test_supported_letters_never_compose_under_nfc():
    """UTS 46 normalises a host to NFC after mapping: a host of supported letters and ASCII
    is already NFC when no canonical composition takes a supported letter or an ASCII
    character as its second part, and every supported letter is its own NFC."""
    letters = {chr(cp) for cp in _block_code_points() if documented_letter(chr(cp))}
    assert all(unicodedata.normalize("NFC", ch) == ch for ch in letters)
    seconds = set()
    for cp in range(0x110000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    assert seconds and not seconds & (letters | set(map(chr, range(0x80))))


@pytest.mark.parametrize("raw", ["http://ÉCOLE.fr/", "http://xn--cole-9oa.fr/", "http://中国.cn/",
                                 "http://한국.kr/", "http://ラーメン.jp/", "http://москва.рф/"])
def test_international_hosts_of_supported_letters_are_punycoded(import_layer, layer, raw):
    normalise = import_layer(layer).normalise_http_url
    assert normalise(raw) == upstream(raw) and "xn--" in normalise(raw)


def test_refusal_predicate_is_not_empty():
    """The documented class really is refused where upstream accepts (an Arabic host)."""
    raw = "http://\u0645\u062b\u0627\u0644.com/"
    assert upstream(raw) is not None and in_refused_class(raw)
    assert not in_refused_class("http://stra\u00dfe.de/") and not in_refused_class("http://[::1]/")


def test_fixed_url_cases_are_what_pydantic_says():
    """The hand-written cases of test_urls.py are upstream's answers, not the layer's."""
    from crosslayer import test_urls

    for raw, normal in test_urls.NORMALISED:
        assert upstream(raw) == normal or OLDER_UTS46 and older_uts46_answer(raw), raw
    for raw in test_urls.REJECTED:
        assert not isinstance(raw, str) or upstream(raw) is None or (
            OLDER_UTS46 and older_uts46_answer(raw)), raw
    for raw in test_urls.REFUSED:
        assert upstream(raw) is not None and in_refused_class(raw), raw
