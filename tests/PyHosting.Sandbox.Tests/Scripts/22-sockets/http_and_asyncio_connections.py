# family: 22
# expect: PermissionError
# key: PythonRuntime:Permissions:HostSockets
# asyncio imports and runs; asyncio.open_connection and http.client's connect are refused.
import asyncio
try:
    asyncio.run(asyncio.open_connection('127.0.0.1', 1))
    raise AssertionError('open_connection connected')
except PermissionError as e:
    assert 'PythonRuntime:Permissions:HostSockets' in str(e), e
import http.client
http.client.HTTPConnection('127.0.0.1', 1).connect()
