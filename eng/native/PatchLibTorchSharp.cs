#nullable enable
// MSBuild inline task (see ../LibStdCxxFix.targets): the libstdc++ < 13 fix for TorchSharp's native library.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class ClipUpPatchLibTorchSharp : Task
{
    const string Version = "GLIBCXX_3.4.32";
    const string ShimName = "libclipup_stdcxx_shim.so";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtDynsym = 11;
    const ushort VerFlgWeak = 0x2;

    const string LateFreeShimName = "libclipup_late_free.so";
    const string DisposeScalar = "THSTorch_dispose_scalar";
    const string DisposeTensor = "THSTensor_dispose";
    const string FreeTensor = "THSTensor_free";   // an exported no-op that TorchSharp never calls

    [Required] public string Folder { get; set; } = "";
    [Required] public string ShimSource { get; set; } = "";
    [Required] public string LateFreeShimSource { get; set; } = "";
    [Required] public string ShimCache { get; set; } = "";

    public override bool Execute()
    {
        if (!Directory.Exists(Folder)) return true;
        var copies = Directory.GetFiles(Folder, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (copies.Length == 0) return true;
        var stdcxx = SystemLibStdCxx();
        bool needsStdCxx = stdcxx != null && !Contains(File.ReadAllBytes(stdcxx), Version);
        if (!needsStdCxx)
            Log.LogMessage(MessageImportance.Low, $"ClipUp: system libstdc++ ({stdcxx ?? "not found"}) needs no {Version} patch.");
        string shim = "", lateFree;
        try
        {
            EnsureTools(needsStdCxx);
            if (needsStdCxx) shim = BuildShim(ShimSource, ShimName);
            lateFree = BuildShim(LateFreeShimSource, LateFreeShimName);
        }
        catch (Exception e) when (!needsStdCxx)
        {
            // The late-free fix closes a race; a machine without g++ or patchelf still runs, as before it.
            Log.LogWarning($"ClipUp: the finalizer fix (environment.md, \"Finalizers\") is not applied: {e.Message}");
            return true;
        }
        catch (Exception e) { Log.LogError(e.Message); return false; }
        foreach (var lib in copies)
        {
            try
            {
                bool weakened = needsStdCxx && MarkVersionWeak(lib);
                bool linked = needsStdCxx && AddNeeded(lib, ShimName);
                if (needsStdCxx) File.Copy(shim, Path.Combine(Path.GetDirectoryName(lib)!, ShimName), overwrite: true);
                // The tensor redirect first: a library that needs the shim must already have its original code
                // under THSTensor_free, or the shim's THSTensor_dispose would free nothing.
                bool redirected = HideDefinedSymbol(lib, DisposeTensor, keepAs: FreeTensor);
                bool hidden = HideDefinedSymbol(lib, DisposeScalar);
                bool linkedLate = AddNeeded(lib, LateFreeShimName);
                File.Copy(lateFree, Path.Combine(Path.GetDirectoryName(lib)!, LateFreeShimName), overwrite: true);
                if (weakened || linked)
                    Log.LogMessage(MessageImportance.Normal, $"ClipUp: patched {lib} for {stdcxx} (no {Version}).");
                if (redirected || hidden || linkedLate)
                    Log.LogMessage(MessageImportance.Normal, $"ClipUp: {lib} frees what finalizers dispose late ({LateFreeShimName}).");
            }
            catch (Exception e)
            {
                Log.LogError($"ClipUp: could not patch {lib}: {e.Message}");
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Turns the library's own definition of <paramref name="symbol"/> into an undefined entry (st_shndx = SHN_UNDEF,
    /// st_value = 0): the dynamic linker then skips it and finds the definition in a library it depends on. Nothing in
    /// the library calls it, so no relocation refers to it. With <paramref name="keepAs"/>, that export first takes over
    /// the symbol's st_shndx, st_value and st_size, so the shim that now defines the symbol can still reach the original
    /// code. Returns false if it was already hidden.
    /// </summary>
    static bool HideDefinedSymbol(string lib, string symbol, string? keepAs = null)
    {
        var b = ReadElf(lib);
        int sym = DynamicSymbol(b, symbol);
        if (BitConverter.ToUInt16(b, sym + 6) == 0) return false;                     // already undefined
        if (keepAs != null) Array.Copy(b, sym + 6, b, DynamicSymbol(b, keepAs) + 6, 2 + 8 + 8);
        BitConverter.GetBytes((ushort)0).CopyTo(b, sym + 6);                          // st_shndx
        BitConverter.GetBytes(0UL).CopyTo(b, sym + 8);                                // st_value
        BitConverter.GetBytes(0UL).CopyTo(b, sym + 16);                               // st_size
        WriteElf(lib, b);
        return true;
    }

    /// File offset of the .dynsym entry named <paramref name="symbol"/>.
    static int DynamicSymbol(byte[] b, string symbol)
    {
        foreach (int sh in SectionHeaders(b, ShtDynsym))
        {
            int offset = checked((int)BitConverter.ToUInt64(b, sh + 24)), size = checked((int)BitConverter.ToUInt64(b, sh + 32));
            int entsize = Math.Max(24, (int)BitConverter.ToUInt64(b, sh + 56));
            int strtab = LinkedStringTable(b, sh);
            for (int sym = offset; sym + 24 <= offset + size; sym += entsize)
                if (CString(b, strtab + (int)BitConverter.ToUInt32(b, sym)) == symbol) return sym;
        }
        throw new InvalidDataException($"no dynamic symbol {symbol}: not the TorchSharp native library this fix was written for");
    }

    static string? SystemLibStdCxx()
    {
        try
        {
            var output = Run("/sbin/ldconfig", "-p");
            var line = output.Split('\n').FirstOrDefault(l => l.Contains("libstdc++.so.6 ") && l.Contains("x86-64"))
                       ?? output.Split('\n').FirstOrDefault(l => l.Contains("libstdc++.so.6 "));
            if (line != null) return line.Substring(line.IndexOf("=>", StringComparison.Ordinal) + 2).Trim();
        }
        catch (Exception) { }
        foreach (var p in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" })
            if (File.Exists(p)) return p;
        return null;
    }

    // A fresh Debian 12 has g++ but usually not patchelf. As root with apt-get (CI, our machines) we install
    // them, so that `dotnet build` alone works there; anywhere else the error names the command.
    void EnsureTools(bool needsStdCxx)
    {
        bool Has(string tool) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));
        if (Has("patchelf") && Has("g++")) return;
        bool root = Environment.UserName == "root";
        if (!root || !File.Exists("/usr/bin/apt-get"))
            throw new InvalidOperationException(needsStdCxx
                ? $"ClipUp: TorchSharp's native library needs {Version}, which this system's libstdc++ lacks; the build " +
                  "fixes that but needs patchelf and g++. Install them (sudo apt-get install patchelf g++) and build again."
                : "it needs patchelf and g++ (sudo apt-get install patchelf g++; then build again).");
        Log.LogMessage(MessageImportance.High, "ClipUp: installing patchelf and g++ for TorchSharp's native fixes (apt-get).");
        try { Run("/usr/bin/apt-get", "install -y -qq --no-install-recommends patchelf g++"); }
        catch (Exception)
        {
            Run("/usr/bin/apt-get", "update -qq");
            Run("/usr/bin/apt-get", "install -y -qq --no-install-recommends patchelf g++");
        }
    }

    string BuildShim(string source, string name)
    {
        Directory.CreateDirectory(ShimCache);
        var shim = Path.Combine(ShimCache, name);
        if (File.Exists(shim) && File.GetLastWriteTimeUtc(shim) >= File.GetLastWriteTimeUtc(source)) return shim;
        var tmp = shim + ".tmp";
        try { Run("g++", $"-shared -fPIC -O2 -o \"{tmp}\" \"{source}\""); }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"ClipUp: TorchSharp's native library needs two small shims built with g++ ({name}: {e.Message}). " +
                "Install it with: apt-get install g++ patchelf");
        }
        MoveOver(tmp, shim);
        return shim;
    }

    static bool AddNeeded(string lib, string shimName)
    {
        string needed;
        try { needed = Run("patchelf", $"--print-needed \"{lib}\""); }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"the fix needs patchelf ({e.Message}). Install it with: apt-get install patchelf g++");
        }
        if (needed.Split('\n').Any(l => l.Trim() == shimName)) return false;
        Run("patchelf", $"--add-needed {shimName} \"{lib}\"");
        return true;
    }

    /// Sets VER_FLG_WEAK on the vernaux entry naming GLIBCXX_3.4.32. Returns false if it was already weak.
    static bool MarkVersionWeak(string lib)
    {
        var b = ReadElf(lib);
        foreach (int sh in SectionHeaders(b, ShtGnuVerneed))
        {
            int offset = checked((int)BitConverter.ToUInt64(b, sh + 24));
            int count = (int)BitConverter.ToUInt32(b, sh + 44);
            int strtab = LinkedStringTable(b, sh);
            int vn = offset;
            for (int n = 0; n < count; n++)
            {
                int aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (int a = 0; a < BitConverter.ToUInt16(b, vn + 2); a++)
                {
                    string name = CString(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8));
                    if (name == Version)
                    {
                        ushort flags = BitConverter.ToUInt16(b, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return false;
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(b, aux + 4);
                        WriteElf(lib, b);
                        return true;
                    }
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(b, vn + 12);
            }
        }
        return false;
    }

    static byte[] ReadElf(string lib)
    {
        var b = File.ReadAllBytes(lib);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        return b;
    }

    /// Offsets of the section headers of type <paramref name="type"/>.
    static IEnumerable<int> SectionHeaders(byte[] b, uint type)
    {
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) == type) yield return sh;
        }
    }

    /// File offset of the string table that section header <paramref name="sh"/> links to (sh_link).
    static int LinkedStringTable(byte[] b, int sh)
    {
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), link = (int)BitConverter.ToUInt32(b, sh + 40);
        return checked((int)BitConverter.ToUInt64(b, checked((int)shoff + link * shentsize) + 24));
    }

    static void WriteElf(string lib, byte[] b)
    {
        var tmp = lib + ".clipup-tmp";
        File.WriteAllBytes(tmp, b);
        MoveOver(tmp, lib);
    }

    // Inline tasks compile against netstandard2.0, which has no File.Move(..., overwrite).
    static void MoveOver(string from, string to)
    {
        if (File.Exists(to)) File.Replace(from, to, null);
        else File.Move(from, to);
    }

    static string CString(byte[] b, int at)
    {
        int end = Array.IndexOf(b, (byte)0, at);
        return Encoding.ASCII.GetString(b, at, end - at);
    }

    static bool Contains(byte[] haystack, string needle)
    {
        var n = Encoding.ASCII.GetBytes(needle);
        for (int i = 0; i <= haystack.Length - n.Length; i++)
        {
            int j = 0;
            while (j < n.Length && haystack[i + j] == n[j]) j++;
            if (j == n.Length) return true;
        }
        return false;
    }

    static string Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.EnvironmentVariables["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {args} failed: {stderr.Trim()}");
        return stdout;
    }
}
