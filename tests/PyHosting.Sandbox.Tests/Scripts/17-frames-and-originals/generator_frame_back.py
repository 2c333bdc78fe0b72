# family: 17
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# gi_frame.f_back and sys._getframe walks reach only Python frames.
import sys
def gen():
    yield sys._getframe()
frame, names = next(gen()), []
while frame:
    names.append(frame.f_code.co_filename)
    frame = frame.f_back
assert all(n.startswith('<') or n.startswith('/usr/lib/python3') for n in names), names
open('/data/secret.txt')
