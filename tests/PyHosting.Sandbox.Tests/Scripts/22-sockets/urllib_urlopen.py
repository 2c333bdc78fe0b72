# family: 22
# expect: ModuleNotFoundError
# key: PythonRuntime:Permissions:HostSockets
# urllib.request.urlopen.
import urllib.request
urllib.request.urlopen('http://127.0.0.1:1/')
