# family: 20
# expect: locale.Error
# _locale.setlocale would change the C locale of the whole host process.
import _locale
assert _locale.setlocale(_locale.LC_ALL) == _locale.setlocale(_locale.LC_ALL, None)
_locale.setlocale(_locale.LC_ALL, '')
current = _locale.setlocale(_locale.LC_NUMERIC)
_locale.setlocale(_locale.LC_NUMERIC, 'C.UTF-8' if current == 'C' else 'C')
