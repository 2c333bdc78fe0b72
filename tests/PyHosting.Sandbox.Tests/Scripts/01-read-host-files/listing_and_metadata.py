# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Listing a mount and reading metadata are file access too.
import glob, os
assert glob.glob('/data/*') == [], 'glob listed the mount'
for attempt in (lambda: os.stat('/data/secret.txt'), lambda: list(os.scandir('/data')), lambda: os.path.getsize('/data/secret.txt')):
    try:
        attempt()
        raise AssertionError('metadata was readable')
    except PermissionError:
        pass
os.listdir('/data')
