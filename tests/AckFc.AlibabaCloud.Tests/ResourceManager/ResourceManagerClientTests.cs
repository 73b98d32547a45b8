using System.Globalization;
using System.Text;
using AckFc.AlibabaCloud.ResourceManager;
using AckFc.AlibabaCloud.Tests.TestDoubles;

namespace AckFc.AlibabaCloud.Tests.ResourceManager;

public sealed class ResourceManagerClientTests : IAsyncLifetime
{
    private AcsTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AcsTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ListAccountsPageAsync_ReferenceAnswer_SendsSignedRpcCallAndParsesDocumentedFields()
    {
        // Field names and example values of the documented ListAccounts answer, fields AckFc does not read included.
        _server.Enqueue(ScriptedResponse.Json("""
            {"RequestId":"7B8A2D5E-1111-4EF5-88FA-F32781734A7F","PageNumber":1,"PageSize":100,"TotalCount":2,
             "Accounts":{"Account":[
               {"AccountId":"181761095690****","DisplayName":"prod","FolderId":"fd-bVaRIG****","JoinMethod":"invited",
                "JoinTime":"2015-01-23T12:33:18Z","ModifyTime":"2015-01-23T12:33:18Z","ResourceDirectoryId":"rd-k3****",
                "ResourceDirectoryPath":"rd-k3****/r-Wm****/fd-bVaRIG****/181761095690****","Status":"InviteSuccess",
                "Type":"CloudAccount","Tags":{"Tag":[{"Key":"team","Value":"platform"}]}},
               {"AccountId":"151266687691****","DisplayName":"","FolderId":"","Status":"PromoteVerifying","Type":"ResourceAccount"}]}}
            """));
        await using var harness = ClientHarness.Create(_server);

        var page = await harness.ResourceManager.ListAccountsPageAsync(1, 100);

        var request = Assert.Single(_server.Requests);
        Assert.Null(request.SignatureProblem);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/?PageNumber=1&PageSize=100", request.RawTarget);
        Assert.Equal("ListAccounts", request.Header("x-acs-action"));
        Assert.Equal("2020-03-31", request.Header("x-acs-version"));
        Assert.Empty(request.Body);
        Assert.Equal(
            [
                new ResourceDirectoryAccount("181761095690****", "prod", "InviteSuccess", "fd-bVaRIG****"),
                new ResourceDirectoryAccount("151266687691****", null, "PromoteVerifying", null),
            ],
            page.Accounts);
        Assert.Equal((1, 100, 2, "7B8A2D5E-1111-4EF5-88FA-F32781734A7F"), (page.PageNumber, page.PageSize, page.TotalCount, page.RequestId));
        Assert.True(page.Accounts[0].IsJoined);
        Assert.False(page.Accounts[1].IsJoined);
    }

    [Fact]
    public async Task ListAccountsAsync_ThreePages_EnumeratesEveryMemberInOrder()
    {
        _server.Enqueue(Page(1, 100, 250), Page(2, 100, 250), Page(3, 50, 250));
        await using var harness = ClientHarness.Create(_server);

        var accounts = await harness.ResourceManager.ListAccountsAsync().ToListAsync();

        Assert.Equal(250, accounts.Count);
        Assert.Equal(250, accounts.Select(a => a.AccountId).Distinct().Count());
        Assert.Equal("100000000250", accounts[^1].AccountId);
        var requests = _server.Requests;
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.Query["PageNumber"]));
        Assert.All(requests, r =>
        {
            Assert.Null(r.SignatureProblem);
            Assert.Equal("100", r.Query["PageSize"]);
            Assert.Equal("ListAccounts", r.Header("x-acs-action"));
        });
    }

    [Fact]
    public async Task ListAccountsAsync_EndpointEchoesTheWrongPageNumber_StillStopsAfterTheLastPage()
    {
        _server.Enqueue(Page(1, 100, 250, echo: 1), Page(2, 100, 250, echo: 1), Page(3, 50, 250, echo: 1));
        _server.Fallback = _ => ScriptedResponse.Error(500, "Unexpected", "a fourth page was asked for");
        await using var harness = ClientHarness.Create(_server);

        var accounts = await harness.ResourceManager.ListAccountsAsync().ToListAsync();

        Assert.Equal(250, accounts.Count);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task ListAccountsAsync_EmptyDirectory_OneCallNoMembers()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"RequestId":"R","PageNumber":1,"PageSize":100,"TotalCount":0,"Accounts":{"Account":[]}}"""));
        await using var harness = ClientHarness.Create(_server);

        Assert.Empty(await harness.ResourceManager.ListAccountsAsync().ToListAsync());
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ListAccountsAsync_NotTheManagementAccount_ThrowsWithCodeStatusAndRequestId()
    {
        _server.Enqueue(ScriptedResponse.Error(403, "NoPermission", "You are not authorized to do this action.", "R-rm-403"));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.ResourceManager.ListAccountsAsync().ToListAsync().AsTask());

        Assert.Equal(
            (AlibabaCloudErrorKind.ClientError, "NoPermission", 403, "R-rm-403", "ListAccounts"),
            (error.Kind, error.Code, error.StatusCode, error.RequestId, error.Action));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ListAccountsPageAsync_AccountWithoutId_ThrowsInvalidResponse()
    {
        _server.Enqueue(ScriptedResponse.Json("""{"TotalCount":1,"Accounts":{"Account":[{"DisplayName":"ghost"}]}}"""));
        await using var harness = ClientHarness.Create(_server);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => harness.ResourceManager.ListAccountsPageAsync(1, 10));

        Assert.Equal("InvalidResponse", error.Code);
        Assert.Contains("AccountId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 0)]
    [InlineData(1, 101)]
    public async Task ListAccountsPageAsync_PagingOutOfBounds_ThrowsWithoutCalling(int pageNumber, int pageSize)
    {
        await using var harness = ClientHarness.Create(_server);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.ResourceManager.ListAccountsPageAsync(pageNumber, pageSize));

        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("CreateSuccess", true)]
    [InlineData("InviteSuccess", true)]
    [InlineData("PromoteSuccess", true)]
    [InlineData("PromoteVerifying", false)]
    [InlineData("PromoteFailed", false)]
    [InlineData("PromoteExpired", false)]
    [InlineData("PromoteCancelled", false)]
    [InlineData("CreateVerifying", false)]
    [InlineData("CreateFailed", false)]
    [InlineData("inviteSuccess", false)]
    [InlineData(null, false)]
    public void IsJoined_Status_OnlyTheSuccessStates(string? status, bool joined)
    {
        Assert.Equal(joined, ResourceDirectoryAccountStatuses.IsJoined(status));
        Assert.Equal(joined, new ResourceDirectoryAccount("1", null, status, null).IsJoined);
    }

    private static ScriptedResponse Page(int number, int count, int total, int? echo = null)
    {
        var accounts = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var n = ((number - 1) * 100) + i + 1;
            accounts.Append(accounts.Length == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $$"""{"AccountId":"{{100000000000 + n}}","DisplayName":"member-{{n}}","Status":"CreateSuccess","FolderId":"fd-{{number}}"}""");
        }

        return ScriptedResponse.Json(
            $$$"""{"RequestId":"R-{{{number}}}","PageNumber":{{{echo ?? number}}},"PageSize":100,"TotalCount":{{{total}}},"Accounts":{"Account":[{{{accounts}}}]}}""");
    }
}
