using System.Reflection;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Compression;

/// <summary>
/// The few libzstd entry points Kafka needs, bound at first use through <see cref="NativeLibrary"/>
/// so a machine without the library gets one clear error instead of a DllNotFoundException.
/// </summary>
internal static unsafe class ZstdNative
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Buffer
    {
        public byte* Data;
        public nuint Size;
        public nuint Pos;
    }

    private static readonly Lazy<Api> LazyApi = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Api Functions => LazyApi.Value;

    public sealed class Api
    {
        public delegate* unmanaged<nuint, nuint> CompressBound;
        public delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint> Compress;
        public delegate* unmanaged<nuint, uint> IsError;
        public delegate* unmanaged<nuint, byte*> GetErrorName;
        public delegate* unmanaged<nint> CreateDStream;
        public delegate* unmanaged<nint, nuint> FreeDStream;
        public delegate* unmanaged<nint, int, nuint> DCtxReset;
        public delegate* unmanaged<nint, Buffer*, Buffer*, nuint> DecompressStream;

        public string ErrorName(nuint code) => Marshal.PtrToStringAnsi((nint)GetErrorName(code)) ?? "unknown zstd error";
    }

    private static Api Load()
    {
        nint handle = 0;
        string[] names = OperatingSystem.IsWindows() ? ["libzstd.dll", "zstd.dll"]
            : OperatingSystem.IsMacOS() ? ["libzstd.1.dylib", "libzstd.dylib"]
            : ["libzstd.so.1", "libzstd.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, Assembly.GetExecutingAssembly(), null, out handle))
                break;
        }
        if (handle == 0)
            throw new DllNotFoundException(
                "zstd compression needs the native Zstandard library (libzstd.so.1), which was not found. " +
                "On Debian/Ubuntu install it with 'apt-get install -y libzstd1'; on other systems install the zstd library package.");
        return new Api
        {
            CompressBound = (delegate* unmanaged<nuint, nuint>)NativeLibrary.GetExport(handle, "ZSTD_compressBound"),
            Compress = (delegate* unmanaged<byte*, nuint, byte*, nuint, int, nuint>)NativeLibrary.GetExport(handle, "ZSTD_compress"),
            IsError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(handle, "ZSTD_isError"),
            GetErrorName = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(handle, "ZSTD_getErrorName"),
            CreateDStream = (delegate* unmanaged<nint>)NativeLibrary.GetExport(handle, "ZSTD_createDStream"),
            FreeDStream = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(handle, "ZSTD_freeDStream"),
            DCtxReset = (delegate* unmanaged<nint, int, nuint>)NativeLibrary.GetExport(handle, "ZSTD_DCtx_reset"),
            DecompressStream = (delegate* unmanaged<nint, Buffer*, Buffer*, nuint>)NativeLibrary.GetExport(handle, "ZSTD_decompressStream"),
        };
    }

    /// <summary>Owns a ZSTD_DStream so a dropped thread-local cache still frees it.</summary>
    public sealed class DStreamHandle : SafeHandle
    {
        public DStreamHandle() : base(0, true) => SetHandle(Functions.CreateDStream());

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            Functions.FreeDStream(handle);
            return true;
        }
    }
}
