# family: 22
# expect: urllib.error.URLError
# key: PythonRuntime:Permissions:HostSockets
# urllib.request.urlopen: the refusal is the reason urllib reports.
import urllib.request
urllib.request.urlopen('http://127.0.0.1:1/')
