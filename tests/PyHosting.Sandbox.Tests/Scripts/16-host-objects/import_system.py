# family: 16
# expect: ModuleNotFoundError
# import System and System.IO.
try:
    __import__('System.IO')
    raise AssertionError('System.IO imported')
except ImportError:
    pass
import System
