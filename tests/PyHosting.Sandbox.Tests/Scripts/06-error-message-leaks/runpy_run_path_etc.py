# family: 6
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# absent: root:
# runpy.run_path on a system file.
import runpy
runpy.run_path('/etc/passwd')
