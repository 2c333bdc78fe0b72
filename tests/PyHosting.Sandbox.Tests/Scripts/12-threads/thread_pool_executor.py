# family: 12
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateThread
# concurrent.futures.ThreadPoolExecutor.
from concurrent.futures import ThreadPoolExecutor
ThreadPoolExecutor().submit(print).result()
