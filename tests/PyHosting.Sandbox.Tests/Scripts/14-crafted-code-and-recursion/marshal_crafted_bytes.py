# family: 14
# expect: PermissionError
# A crafted marshal payload (an out-of-range reference).
import marshal
marshal.loads(b'r\xff\xff\xff\x7f')
