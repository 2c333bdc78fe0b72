# family: 14
# expect: PermissionError
# marshal.load from a file object.
import io, marshal
marshal.load(io.BytesIO(marshal.dumps(1)))
