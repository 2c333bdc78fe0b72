# family: 6
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# absent: TOP-SECRET
# runpy.run_path on a data file.
import runpy
runpy.run_path('/data/secret.txt')
