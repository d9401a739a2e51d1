-- Small wrappers over the client API, which changed shape between Neovim 0.10 and 0.11
-- (functions became methods; `exec_cmd` appeared). Everything else goes through here so
-- the rest of the plugin reads the same on both.
local M = {}

M.NAME = "genls"

local has_011 = vim.fn.has("nvim-0.11") == 1

--- The genls client attached to `bufnr` (0 = current), if any.
---@param bufnr integer?
---@return vim.lsp.Client?
function M.client(bufnr)
  if bufnr == 0 or bufnr == nil then
    bufnr = vim.api.nvim_get_current_buf()
  end
  return vim.lsp.get_clients({ name = M.NAME, bufnr = bufnr })[1]
end

--- Any running genls client: the status line has no buffer to ask about.
---@return vim.lsp.Client?
function M.any_client()
  return vim.lsp.get_clients({ name = M.NAME })[1]
end

--- Byte column of an LSP `character` on `line` (vim.str_byteindex changed shape in 0.11).
---@param line string
---@param character integer
---@param encoding string the client's offset_encoding
---@return integer
function M.byte_col(line, character, encoding)
  if encoding == "utf-8" then
    return math.min(character, #line)
  end
  local ok, col
  if has_011 then
    ok, col = pcall(vim.str_byteindex, line, encoding, character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, character, encoding == "utf-16")
  end
  return ok and col or #line
end

--- Whether an inline completion item is ghost text at `position` (the request's): it inserts
--- there, or replaces what was typed just before it on the same line. An item whose range
--- replaces other text (LSP 3.18 replace ranges: genls's next edit near the cursor) is not.
---@param item lsp.InlineCompletionItem
---@param position lsp.Position
---@return boolean
function M.at_cursor(item, position)
  local range = item.range
  if range == nil or range == vim.NIL then
    return true
  end
  return range["end"].line == position.line and range["end"].character == position.character
    and range.start.line == position.line and range.start.character <= position.character
end

--- Sends a request; returns its id, or nil when the client refused (stopped, say).
---@return integer?
function M.request(client, method, params, handler, bufnr)
  local ok, id
  if has_011 then
    ok, id = client:request(method, params, handler, bufnr)
  else
    ok, id = client.request(method, params, handler, bufnr)
  end
  return ok and id or nil
end

--- Sends a request and waits for it (only for explicit commands such as :checkhealth).
---@return {err: lsp.ResponseError?, result: any}? nil on timeout
function M.request_sync(client, method, params, timeout_ms, bufnr)
  if has_011 then
    return client:request_sync(method, params, timeout_ms, bufnr)
  end
  return client.request_sync(method, params, timeout_ms, bufnr)
end

--- Runs `attach(bufnr)` when a genls client attaches to a buffer and `detach(bufnr)` (if
--- given) when it detaches, in the autocmd group `group`.
---@param group integer
---@param attach fun(bufnr: integer)
---@param detach? fun(bufnr: integer)
function M.on_genls_buffers(group, attach, detach)
  local function genls_buffer(args, action)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == M.NAME then
      action(args.buf)
    end
  end
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      genls_buffer(args, attach)
    end,
  })
  if detach then
    vim.api.nvim_create_autocmd("LspDetach", {
      group = group,
      callback = function(args)
        genls_buffer(args, detach)
      end,
    })
  end
end

--- Sends a notification; a stopped client drops it.
function M.notify(client, method, params)
  if has_011 then
    client:notify(method, params)
  else
    client.notify(method, params)
  end
end

function M.cancel(client, id)
  if has_011 then
    client:cancel_request(id)
  else
    client.cancel_request(id)
  end
end

--- Makes a per-buffer state's request stale: its `seq` moves on (a late answer is dropped)
--- and the request still running is cancelled, since the model thread is the bottleneck and
--- a stale generation delays the one the user wants.
function M.cancel_pending(st)
  st.seq = st.seq + 1
  if st.pending then
    pcall(M.cancel, st.pending.client, st.pending.id)
    st.pending = nil
  end
end

--- Runs a server command (`workspace/executeCommand`). Straight to the server, not through
--- client:exec_cmd: that would find this plugin's own vim.lsp.commands handlers (which call
--- this) and loop.
---@param command lsp.Command
function M.exec_cmd(client, command, bufnr, handler)
  return M.request(client, "workspace/executeCommand", {
    command = command.command,
    arguments = command.arguments,
  }, handler or function() end, bufnr)
end

--- Whether the server lists `name` in its executeCommandProvider: an older genls lacks the
--- newer commands, and would answer them with a bare "unknown command".
---@return boolean
function M.offers(client, name)
  local provider = (client.server_capabilities or {}).executeCommandProvider
  return type(provider) == "table" and vim.tbl_contains(provider.commands or {}, name)
end

return M
