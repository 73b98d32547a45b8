using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

public sealed class CsvReportRendererTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\r\nlf", "\"cr\r\nlf\"")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Field_HostileOrSpecialText_QuotedAndNeutralised(string? value, string expected) =>
        Assert.Equal(expected, CsvReportRenderer.Field(value));

    [Fact]
    public void Render_DemoFleet_OneRowPerFindingWithHeader()
    {
        var report = ReportFixtures.DemoFleet();

        var rows = Parse(CsvReportRenderer.Render(report));

        Assert.Equal(CsvReportRenderer.Columns, rows[0]);
        Assert.Equal(report.Clusters.Sum(c => c.Findings.Count), rows.Count - 1);
        Assert.All(rows, r => Assert.Equal(CsvReportRenderer.Columns.Count, r.Count));
    }

    [Fact]
    public void Render_CommasQuotesNewlinesAndFormulas_RoundTripThroughAnRfc4180Parser()
    {
        var name = "team \"blue\", west\nline two";
        var message = "=cmd|' /C calc'!A0";
        var report = ReportFixtures.Report([ReportFixtures.Cluster("c-1", name, "cn-hangzhou", [ReportFixtures.Fail(RuleCatalog.Rotation, message, "key-1")], "key-1")]);

        var csv = CsvReportRenderer.Render(report);
        var row = Parse(csv)[1];

        Assert.Equal(name, row[Column("clusterName")]);
        Assert.Equal("'" + message, row[Column("message")]);
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MappedRule_HasCloudConfigRuleNextToOurRuleId()
    {
        var report = ReportFixtures.DemoFleet();

        var rows = Parse(CsvReportRenderer.Render(report)).Skip(1).ToList();

        var pending = rows.First(r => r[Column("ruleId")] == RuleCatalog.KeyPendingDeletion);
        Assert.Equal("kms-key-state-not-pending-deletion", pending[Column("cloudConfigRule")]);
        Assert.Equal("5", pending[Column("daysUntilDeletion")]);
        var unmapped = rows.First(r => r[Column("ruleId")] == RuleCatalog.KeyDisabled);
        Assert.Equal(string.Empty, unmapped[Column("cloudConfigRule")]);
    }

    private static int Column(string name) => CsvReportRenderer.Columns.ToList().IndexOf(name);

    /// <summary>A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records.</summary>
    internal static List<List<string>> Parse(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, "a quote inside an unquoted field");
                quoted = true;
            }
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r')
            {
                Assert.Equal('\n', csv[i + 1]);
                i++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                Assert.NotEqual('\n', c);
                field.Append(c);
            }
        }

        Assert.False(quoted, "unterminated quoted field");
        return rows;
    }
}
