# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# Out of the read-only Python home by ..; the home itself stays readable.
assert open('/usr/lib/python3.11/os.py').read(3) == 'r""'
open('/usr/lib/python3.11/../../../etc/passwd').read()
