# family: 9
# expect: ModuleNotFoundError
# spwd, pwd and grp read /etc/shadow, /etc/passwd and /etc/group in C.
for name in ('pwd', 'grp'):
    try:
        __import__(name)
        raise AssertionError(name + ' imported')
    except ImportError:
        pass
import spwd
