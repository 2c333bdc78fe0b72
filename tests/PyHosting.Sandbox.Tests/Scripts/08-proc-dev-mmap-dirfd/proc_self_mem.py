# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# /proc/self/mem is the host memory.
f = open('/proc/self/mem', 'r+b')
f.seek(0x400000)
f.write(b'x')
