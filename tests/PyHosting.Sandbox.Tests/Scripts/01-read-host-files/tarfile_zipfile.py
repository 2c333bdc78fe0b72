# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Archive readers opening a host path.
import tarfile, zipfile
for opener in (lambda: zipfile.ZipFile('/data/secret.txt'), lambda: zipfile.is_zipfile('/data/secret.txt') and 1 / 0):
    try:
        opener()
    except PermissionError:
        pass
tarfile.open('/data/secret.txt')
