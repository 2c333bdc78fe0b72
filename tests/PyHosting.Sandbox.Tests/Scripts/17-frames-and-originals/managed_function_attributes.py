# family: 17
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# __self__, __wrapped__, __closure__, __globals__ of managed functions lead nowhere.
import io, os
for f in (open, io.open, os.open, os.stat, os.system, os.listdir):
    assert type(f.__self__) is int, f
    for attribute in ('__wrapped__', '__closure__', '__globals__', '__func__', '__code__'):
        assert not hasattr(f, attribute), (f, attribute)
    assert f.__self__.__class__ is int
os.open('/data/secret.txt', os.O_RDONLY)
