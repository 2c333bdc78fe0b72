# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# linecache swallows errors (it must return nothing), fileinput must fail.
import fileinput, linecache
assert linecache.getline('/data/secret.txt', 1) == '', 'linecache read the secret'
assert linecache.getlines('/data/escape/host-only.txt') == []
list(fileinput.input('/data/secret.txt'))
