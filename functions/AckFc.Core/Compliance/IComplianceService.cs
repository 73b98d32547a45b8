namespace AckFc.Core.Compliance;

/// <summary>The fleet sweep: every cluster of the requested regions judged against the policy.</summary>
public interface IComplianceService
{
    /// <summary>
    /// Sweeps and, in remediate mode, applies what the policy allows. Never throws for cloud failures: they
    /// become <c>unknown</c> findings and report errors, and the report says <c>complete: false</c>.
    /// </summary>
    Task<ComplianceReport> SweepAsync(SweepRequest request, CancellationToken cancellationToken = default);
}
