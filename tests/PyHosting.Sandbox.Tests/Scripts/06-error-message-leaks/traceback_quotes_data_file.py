# family: 6
# expect: ZeroDivisionError
# absent: TOP-SECRET
# A traceback through code compiled under the secret file name.
import traceback
try:
    exec(compile('\n1 / 0', '/data/secret.txt', 'exec'))
except ZeroDivisionError:
    assert 'TOP-SECRET' not in traceback.format_exc()
    raise
