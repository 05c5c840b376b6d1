using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using GameApi.Librdkafka;

namespace GameApi.Tests.Support;

/// <summary>
/// librdkafka's rd_kafka_test_fatal_error (rdkafka.h): the fatal error an idempotent producer raises
/// when, say, the broker reports a sequence it cannot accept, fabricated on demand.
/// </summary>
internal static class FatalErrors
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int TestFatalError(IntPtr rk, int err, [MarshalAs(UnmanagedType.LPUTF8Str)] string reason);

    /// <summary>Raises a fatal error on the client behind <paramref name="handle"/>; NoError when it took.</summary>
    public static ErrorCode Raise(Handle handle, ErrorCode code, string reason)
    {
        // Confluent.Kafka keeps the native rd_kafka_t* internal; tests only.
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var native = (SafeHandle)property.GetValue(handle)!;
        var raise = Marshal.GetDelegateForFunctionPointer<TestFatalError>(
            NativeLibrary.GetExport(ShippedLibrdkafka.Load().Handle, "rd_kafka_test_fatal_error"));
        return (ErrorCode)raise(native.DangerousGetHandle(), (int)code, reason);
    }
}
