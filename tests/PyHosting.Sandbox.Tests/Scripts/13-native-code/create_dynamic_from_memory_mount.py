# family: 13
# expect: ImportError
# A shared object written to the in-memory /tmp has no host path to load from.
import _imp, types
_imp.create_dynamic(types.SimpleNamespace(name='evil', origin='/tmp/evil.so'))
