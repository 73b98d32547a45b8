using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace AckFc.Core.Settings;

/// <summary>
/// A whole-number setting within bounds. Not <see cref="RangeAttribute"/>: the options validator generator replaces it
/// with a copy that ignores <c>ErrorMessage</c>, and the message must name the environment variable.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WholeNumberAttribute(string variable, int minimum, int maximum) : ValidationAttribute
{
    public string Variable { get; } = variable;

    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is int number && number >= Minimum && number <= Maximum
            ? ValidationResult.Success
            : new ValidationResult(
                string.Create(CultureInfo.InvariantCulture, $"{Variable} must be a whole number from {Minimum} to {Maximum}."),
                validationContext.MemberName is { } m ? [m] : null);
}
