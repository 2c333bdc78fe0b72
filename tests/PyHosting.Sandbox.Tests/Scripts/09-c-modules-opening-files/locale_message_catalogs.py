# family: 9
# expect: io.UnsupportedOperation
# _locale.bindtextdomain points the C library at message catalogs in any directory.
import _locale
_locale.bindtextdomain('libc', '/data')
