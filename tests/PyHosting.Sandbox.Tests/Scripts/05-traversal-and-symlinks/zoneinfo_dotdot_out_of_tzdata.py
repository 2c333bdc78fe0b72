# family: 5
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# The time-zone database is readable at its own path; '..' out of it lands where IO=None reads nothing.
open('/usr/share/zoneinfo/../../../etc/passwd').read()
