# family: 22
# expect: ModuleNotFoundError
# key: PythonRuntime:Permissions:HostSockets
# http.client and asyncio.open_connection.
try:
    import asyncio
    raise AssertionError('asyncio imported')
except ImportError:
    pass
import http.client
http.client.HTTPConnection('127.0.0.1', 1).connect()
