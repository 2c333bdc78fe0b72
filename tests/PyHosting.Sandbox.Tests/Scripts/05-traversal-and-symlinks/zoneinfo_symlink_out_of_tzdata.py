# family: 5
# expect: FileNotFoundError | PermissionError | OSError
# absent: root:
# A link inside the database that points out of it (localtime -> /etc/localtime) is not followed out.
print(open('/usr/share/zoneinfo/localtime', 'rb').read())
