# family: 1
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# codecs.open.
import codecs
codecs.open('/data/secret.txt', encoding='utf-8').read()
