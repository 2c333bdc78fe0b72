# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# TZ names a zone file for time.tzset(): '..' out of the time-zone database, or an absolute path elsewhere, is
# never read (the value is then read as a POSIX TZ string: UTC, named by its leading letters if any), and
# reading the same path directly is refused.
import os, time
for tz in ('../../../etc/passwd', ':/usr/share/zoneinfo/../../../etc/passwd', '/etc/passwd', '/data/secret.txt',
           '/usr/share/zoneinfo/../zoneinfo/Asia/Tokyo', 'Asia/../../../../data/escape/host-only.txt'):
    os.environ['TZ'] = tz
    time.tzset()
    lt = time.localtime(0)
    ok = lt.tm_gmtoff == 0 and lt.tm_zone in ('', 'Asia') and time.timezone == 0
    if not ok:
        del os.environ['TZ']
        time.tzset()
    assert ok, (tz, lt, time.tzname)
os.environ['TZ'] = 'Asia/Tokyo'
time.tzset()
assert time.localtime(0).tm_zone == 'JST'
del os.environ['TZ']
time.tzset()
open('/usr/share/zoneinfo/../../../etc/passwd').read()
