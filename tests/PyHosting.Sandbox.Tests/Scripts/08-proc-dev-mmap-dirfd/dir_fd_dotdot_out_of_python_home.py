# family: 8
# expect: PermissionError
# key: PythonRuntime:Permissions:IO
# A descriptor of the read-only Python home (readable whatever IO says) plus '..' leads to a runtime path that is checked
# again: out of the home, IO=None refuses it; inside, nothing can be written.
import os
home = os.open(os.path.dirname(os.__file__), os.O_RDONLY)
assert os.stat('os.py', dir_fd=home).st_size > 0
for call in (lambda: os.mkdir('planted', dir_fd=home), lambda: os.unlink('os.py', dir_fd=home),
             lambda: os.rename('os.py', 'moved.py', src_dir_fd=home, dst_dir_fd=home),
             lambda: os.open('planted.py', os.O_WRONLY | os.O_CREAT, dir_fd=home), lambda: os.chmod('os.py', 0o777, dir_fd=home),
             lambda: os.symlink('/etc/passwd', 'planted', dir_fd=home), lambda: os.utime('os.py', dir_fd=home)):
    try:
        call()
        raise AssertionError('a change in the Python home was accepted')
    except OSError:
        pass
for name in ('../../../etc/passwd', '../../../../../../../etc/shadow', '..//..//../proc/self/environ'):
    try:
        os.stat(name, dir_fd=home)
        raise AssertionError(name + ' was reached')
    except OSError:
        pass
try:
    os.open('../../../etc/passwd', os.O_RDONLY, dir_fd=home)
finally:
    os.close(home)  # the scripts share one runtime: no descriptor is left behind
