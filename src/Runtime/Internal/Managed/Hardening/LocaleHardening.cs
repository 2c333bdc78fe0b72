using System.Runtime.InteropServices;
using PyHosting.Internal.Interop;

namespace PyHosting.Internal.Managed.Hardening;

/// <summary>
/// Hardens <c>_locale</c>: the C locale and the message-catalog bindings belong to the whole host process.
/// <c>setlocale</c> answers queries and accepts the locale already in force (<c>setlocale(LC_ALL, '')</c> is
/// common start-up code), and raises <c>locale.Error</c> for a change; <c>bindtextdomain</c>, <c>textdomain</c>
/// and <c>bind_textdomain_codeset</c> answer queries and refuse changes (a binding also makes the C library
/// read catalogs from any directory). Reading functions (<c>localeconv</c>, <c>nl_langinfo</c>, <c>strcoll</c>,
/// the <c>gettext</c> family) are unchanged.
/// Its fields are process-wide: they hold CPython's original C functions, replaced once per process.
/// </summary>
internal static unsafe class LocaleHardening
{
    private static nint s_setlocale;
    private static nint s_bindtextdomain;
    private static nint s_textdomain;
    private static nint s_bindTextdomainCodeset;

    public static void Apply()
    {
        var module = Py.Import("_locale");
        if (module == 0)
        {
            LibPython.PyErr_Clear();
            return; // not built: nothing to harden
        }

        try
        {
            var definition = ((delegate* unmanaged<nint, nint>)LibPython.Export("PyModule_GetDef"))(module);
            if (definition == 0)
            {
                throw new InvalidOperationException("_locale has no module definition");
            }

            s_setlocale = Replace(definition, "setlocale", MethodDefinitions.MethFastCall, (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&SetLocale);
            s_bindtextdomain = Replace(definition, "bindtextdomain", MethodDefinitions.MethFastCall, (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&BindTextDomain);
            s_textdomain = Replace(definition, "textdomain", MethodDefinitions.MethO, (nint)(delegate* unmanaged<nint, nint, nint>)&TextDomain);
            s_bindTextdomainCodeset = Replace(definition, "bind_textdomain_codeset", MethodDefinitions.MethFastCall, (nint)(delegate* unmanaged<nint, nint*, nint, nint>)&BindTextDomainCodeset);
        }
        finally
        {
            LibPython.Py_DecRef(module);
        }
    }

    private static nint Replace(nint moduleDefinition, string name, int flags, nint replacement)
    {
        var definition = MethodDefinitions.Find(moduleDefinition, name);
        return definition == 0 ? 0 : MethodDefinitions.Replace(definition, flags, replacement);
    }

    private static nint CallOriginal(nint original, nint self, nint* args, nint count) =>
        ((delegate* unmanaged<nint, nint*, nint, nint>)original)(self, args, count);

    /// <summary><c>setlocale(category, locale=None)</c>.</summary>
    [UnmanagedCallersOnly]
    private static nint SetLocale(nint self, nint* args, nint count)
    {
        try
        {
            if (count < 2 || args[1] == LibPython.None)
            {
                return CallOriginal(s_setlocale, self, args, count);
            }

            // The answer to a query of the same category: what is in force now.
            var current = CallOriginal(s_setlocale, self, args, 1);
            if (current == 0)
            {
                return 0;
            }

            var requested = Py.IsInstanceOfFlag(args[1], Py.TpFlagsUnicodeSubclass) ? Py.ReadString(args[1]) : null;
            if (requested is not null && (requested.Length == 0 || requested == Py.ReadString(current)))
            {
                if (requested.Length == 0 && PythonInterpreter.Backend is ManagedBackend backend)
                {
                    CompatibilityLog.Ignored(backend.Compatibility, "setlocale to the environment's locale (the process keeps the C locale it has)");
                }

                return current;
            }

            LibPython.Py_DecRef(current);
            var error = Py.GetAttr(self, "Error");
            if (error == 0)
            {
                return 0;
            }

            Py.SetError(error, "changing the C locale is not supported by the managed backend: it belongs to the whole host process");
            LibPython.Py_DecRef(error);
            return 0;
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcOSError, "setlocale failed in the managed backend");
        }
    }

    /// <summary><c>bindtextdomain(domain, dir)</c>: <c>dir=None</c> queries.</summary>
    [UnmanagedCallersOnly]
    private static nint BindTextDomain(nint self, nint* args, nint count) =>
        count == 2 && args[1] == LibPython.None
            ? CallOriginal(s_bindtextdomain, self, args, count)
            : Refuse("locale.bindtextdomain", "the C library would read message catalogs from that directory for the whole host process");

    /// <summary><c>textdomain(domain)</c>: <c>None</c> queries.</summary>
    [UnmanagedCallersOnly]
    private static nint TextDomain(nint self, nint domain) =>
        domain == LibPython.None
            ? ((delegate* unmanaged<nint, nint, nint>)s_textdomain)(self, domain)
            : Refuse("locale.textdomain", "the message domain belongs to the whole host process");

    /// <summary><c>bind_textdomain_codeset(domain, codeset)</c>: <c>codeset=None</c> queries.</summary>
    [UnmanagedCallersOnly]
    private static nint BindTextDomainCodeset(nint self, nint* args, nint count) =>
        count == 2 && args[1] == LibPython.None
            ? CallOriginal(s_bindTextdomainCodeset, self, args, count)
            : Refuse("locale.bind_textdomain_codeset", "the catalog encoding belongs to the whole host process");

    private static nint Refuse(string function, string why)
    {
        try
        {
            return MethodDefinitions.Unsupported(function, why);
        }
        catch (Exception)
        {
            return Py.SetError(LibPython.ExcOSError, $"{function} is not supported by the managed backend");
        }
    }
}
