# family: 14
# expect: PermissionError
# marshal.loads of a code object the runtime did not read from its Python home.
import marshal
marshal.loads(marshal.dumps((lambda: 0).__code__))
