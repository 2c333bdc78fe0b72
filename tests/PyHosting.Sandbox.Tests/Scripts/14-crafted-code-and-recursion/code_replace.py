# family: 14
# expect: PermissionError
# code.replace(co_code=...) builds a new code object.
c = (lambda: 0).__code__
c.replace(co_code=b'\x64\xff\x53\x00')
