# family: 15
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# sys.addaudithook is refused (CPython swallows the refusal: the hook must never run).
import sys
seen = []
sys.addaudithook(lambda event, args: seen.append(event))
sys.audit('pyhosting.sandbox.probe')
assert not seen, 'the hook was installed'
open('/data/secret.txt')
