# family: 6
# expect: OSError
# absent: TOP-SECRET
# inspect.getsource of a function compiled under the secret file name.
import inspect
namespace = {}
exec(compile('def f():\n    pass\n', '/data/secret.txt', 'exec'), namespace)
inspect.getsource(namespace['f'])
