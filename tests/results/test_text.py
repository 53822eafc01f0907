"""Labels shortened to SPSS's byte budgets stay valid UTF-8 and never lose half a letter."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from results.text import ELLIPSIS, byte_length, shorten


def test_sixty_cyrillic_letters_fill_120_bytes() -> None:
    sixty = "ж" * 60
    assert shorten(sixty, 120) == sixty                 # 60 x 2 bytes: fits exactly
    longer = "Очень довольны качеством обслуживания и ценой, но не приложением "
    cut = shorten(longer * 2, 120)
    assert byte_length(cut) <= 120 and cut.endswith(ELLIPSIS)
    assert cut[:-1] == (longer * 2)[:len(cut) - 1].rstrip()
    # 117 bytes for the text (Cyrillic letters take 2, spaces 1) and 3 for the ellipsis;
    # the next letter would not have fitted.
    kept = cut[:-1]
    assert byte_length(kept) <= 117 < byte_length((longer * 2)[:len(kept) + 1])
    cut.encode("utf-8").decode("utf-8")


def test_a_letter_and_its_accent_stay_together() -> None:
    decomposed = "e\u0301" * 50                          # é as e + combining acute
    cut = shorten(decomposed, 20)
    assert cut == "é" * 8 + ELLIPSIS                   # NFC: é is 2 bytes; 8*2 + 3 <= 20
    flag_and_family = "🇧🇪" * 10 + "👨‍👩‍👧" * 5
    cut = shorten(flag_and_family, 30)
    assert cut.startswith("🇧🇪") and not cut[:-1].endswith("\U0001F1E7")


@given(st.text(min_size=0, max_size=200), st.integers(min_value=4, max_value=300))
def test_shortened_texts_fit_and_start_the_original(text: str, limit: int) -> None:
    cut = shorten(text, limit)
    normal = unicodedata.normalize("NFC", text)
    assert byte_length(cut) <= limit
    if cut != normal:
        assert cut.endswith(ELLIPSIS) and normal.startswith(cut[:-1])
