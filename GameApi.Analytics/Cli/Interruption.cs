namespace GameApi.Analytics.Cli;

/// <summary>
/// Ctrl+C. A run that can stop cleanly (Spark: interrupt the operation on the server, drop what the run
/// cached, release the session) says so, and the first Ctrl+C then asks it to stop; otherwise, and on a
/// second Ctrl+C, the process ends at once as any command-line program does.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly CancellationTokenSource _ending = new();

    public CancellationToken Token => _requested.Token;

    /// <summary>
    /// Cancelled just before Ctrl+C ends the process at once. No Dispose or finally runs after that, so
    /// what must not outlive the run (a scratch folder) is removed by a callback on this token.
    /// </summary>
    public CancellationToken Ending => _ending.Token;

    /// <summary>Set while a run that stops cleanly is under way.</summary>
    public bool StopsCleanly { get; set; }

    /// <summary>Asks the run to stop; false when it cannot stop cleanly or was already asked (end the process).</summary>
    public bool Request()
    {
        if (!StopsCleanly || _requested.IsCancellationRequested)
        {
            _ending.Cancel(); // the callbacks run here, before the process ends
            return false;
        }

        _requested.Cancel();
        return true;
    }

    /// <summary>The process is ending for another reason (a kill, a closed terminal): clean up now.</summary>
    public void End() => _ending.Cancel();

    public void Dispose()
    {
        _requested.Dispose();
        _ending.Dispose();
    }
}
