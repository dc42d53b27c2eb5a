"""`dates`: human-readable dates in many locales -> ISO dates (seq2seq).

Source: Babel's copy of the Unicode CLDR locale data (shipped inside the
`babel` package; Unicode licence, https://www.unicode.org/license.txt).
Dates between 1900-01-01 and 2099-12-31 are written with CLDR's own
patterns in 10 locales (en_US, en_GB, fr_FR, de_DE, es_ES, it_IT, pt_BR,
nl_NL, sv_SE, pl_PL) and 4 formats (medium, long, full, and the "yMMMEd"
skeleton), e.g. "21 novembre 2026", "Nov 21, 2026",
"Samstag, 21. November 2026" -> "2026-11-21". Numeric formats are left out
because they are ambiguous across locales. Characters align visibly with the
target (day, month name, year), which makes attention maps readable.

Construction, deterministic for a seed: 10,000 distinct dates are drawn, each
written in 3 distinct ways (locale and format drawn at random); dates are
split 80/10/10, so every rendering of a date is in the same split and no
source string is in two splits.

Size: 30,000 examples: train 24,000, validation 3,000, test 3,000 (any seed).

Fields:
    source: text, the human-readable date.
    target: text, the ISO date "YYYY-MM-DD".
    locale: text, e.g. "de_DE".
    format: text, "medium", "long", "full" or "yMMMEd".

Supervised keys: ("source", "target").
"""

import datetime

import numpy as np
import tensorflow_datasets as tfds

from seqkeras.data.builtin.base import BuiltinBuilder
from seqkeras.data.splits import split_indices

LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_BR", "nl_NL", "sv_SE", "pl_PL")
FORMATS = ("medium", "long", "full", "yMMMEd")
FIRST_DAY = datetime.date(1900, 1, 1)
DAYS = (datetime.date(2099, 12, 31) - FIRST_DAY).days + 1
DATE_COUNT, RENDERINGS = 10_000, 3


def render(date: datetime.date, locale: str, form: str) -> str:
    """Write `date` as CLDR does for `locale` in `form`."""
    from babel.dates import format_date
    from babel.dates import format_skeleton

    if form in ("medium", "long", "full"):
        return format_date(date, format=form, locale=locale)
    return format_skeleton(form, date, locale=locale)


class Dates(BuiltinBuilder):
    name = "seqkeras_dates"
    DESCRIPTION = __doc__
    HOMEPAGE = "https://cldr.unicode.org/"
    LICENSE = "Unicode License v3 (CLDR data, via Babel)"
    SUPERVISED_KEYS = ("source", "target")

    def features(self):
        return tfds.features.FeaturesDict(
            {name: tfds.features.Text() for name in ("source", "target", "locale", "format")}
        )

    def make_splits(self, seed, path):
        rng = np.random.default_rng([seed, 2])
        styles = [(locale, form) for locale in LOCALES for form in FORMATS]
        examples = []
        for offset in rng.choice(DAYS, size=DATE_COUNT, replace=False):
            date = FIRST_DAY + datetime.timedelta(days=int(offset))
            seen = set()
            for style in rng.permutation(len(styles)):
                locale, form = styles[style]
                source = render(date, locale, form)
                if source not in seen:
                    seen.add(source)
                    examples.append(
                        {
                            "source": source,
                            "target": date.isoformat(),
                            "locale": locale,
                            "format": form,
                        }
                    )
                if len(seen) == RENDERINGS:
                    break
        groups = [example["target"] for example in examples]
        return {
            name: [examples[i] for i in chosen]
            for name, chosen in split_indices(len(examples), seed=seed, groups=groups).items()
        }
