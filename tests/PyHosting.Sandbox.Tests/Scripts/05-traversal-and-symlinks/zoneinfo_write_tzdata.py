# family: 5
# expect: OSError
# errno: 30
# The time-zone database is served read-only, whatever IO says.
open('/usr/share/zoneinfo/Injected', 'wb').write(b'TZif')
