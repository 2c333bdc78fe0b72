# family: 6
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# absent: root:
# warnings formats the source line of the file it is told about.
import warnings
text = warnings.formatwarning('m', UserWarning, '/etc/passwd', 1)
assert 'root' not in text, text
text = warnings.formatwarning('m', UserWarning, '/data/secret.txt', 1)
assert 'TOP-SECRET' not in text, text
open('/etc/passwd')
