# family: 12
# expect: PermissionError
# key: PythonRuntime:Permissions:CreateThread
# threading.Thread.start.
import threading
threading.Thread(target=print).start()
