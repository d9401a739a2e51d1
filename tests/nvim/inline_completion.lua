-- Drives genls from a real headless Neovim 0.11, the way an editor plugin would.
--
-- Usage:
--   nvim --headless --clean -l tests/nvim/inline_completion.lua \
--     <file> <line> <col> <server python> <output json> [model]
--
-- <line> and <col> are 0-based (LSP positions). The script asks for an inline completion and
-- a completion list at that position, accepts the inline suggestion into the buffer, and
-- writes what happened to <output json>. It exits non-zero on any timeout or error.

local file, line_arg, col_arg, python, output = arg[1], arg[2], arg[3], arg[4], arg[5]
-- The tiny bundled model keeps the run fast.
local model = arg[6] or 'smollm2-135m'
if not (file and line_arg and col_arg and python and output) then
  io.stderr:write('usage: inline_completion.lua <file> <line> <col> <python> <json> [model]\n')
  os.exit(2)
end
local line, col = tonumber(line_arg), tonumber(col_arg)

-- The first request loads the model, so it gets far more time than later ones would need.
local START_TIMEOUT_MS = 60000
local REQUEST_TIMEOUT_MS = 120000
local STOP_TIMEOUT_MS = 15000

local report = { errors = {} }
local client ---@type vim.lsp.Client?
local exited = false

local function write_report()
  local fd = assert(io.open(output, 'w'))
  fd:write(vim.json.encode(report))
  fd:close()
end

--- Stops the server, writes the report and leaves Neovim with `code`.
local function finish(code)
  if client and not exited then
    client:stop()
    if not vim.wait(STOP_TIMEOUT_MS, function() return exited end, 50) then
      -- A server that ignores shutdown/exit must not outlive the test.
      table.insert(report.errors, 'server did not exit after shutdown; killing it')
      client:stop(true)
      vim.wait(STOP_TIMEOUT_MS, function() return exited end, 50)
      code = 1
    end
  end
  report.server_exited = exited
  write_report()
  vim.cmd(code == 0 and 'qa!' or ('cquit ' .. code))
end

local function fail(message)
  io.stderr:write('inline_completion.lua: ' .. message .. '\n')
  table.insert(report.errors, message)
  finish(1)
end

-- Any Lua error (a bad response shape, say) still stops the server and reports.
local function protected(fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then
    fail('Lua error: ' .. tostring(err))
  end
end

--- Sends `method` and waits for its answer. Returns the result, or calls fail().
local function request(method, params, bufnr)
  -- Client:request is used rather than request_sync so a timeout gives a clear message;
  -- Neovim 0.11 sends any method name here without checking the capability.
  local response ---@type {err: lsp.ResponseError?, result: any}?
  local ok, request_id = client:request(method, params, function(err, result)
    response = { err = err, result = result }
  end, bufnr)
  if not ok then
    fail(method .. ': the client refused to send the request (client stopped?)')
  end
  if not vim.wait(REQUEST_TIMEOUT_MS, function() return response ~= nil end, 20) then
    client:cancel_request(request_id)
    fail(('%s: no answer within %d ms'):format(method, REQUEST_TIMEOUT_MS))
  end
  if response.err then
    fail(('%s: server error %s: %s'):format(method, response.err.code, response.err.message))
  end
  return response.result
end

protected(function()
  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  -- `-l` skips plugins, so filetype detection may not run; the languageId comes from this.
  vim.bo[bufnr].filetype = 'python'

  local old_line = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
  -- Columns are bytes in Neovim and UTF-16 units by default in LSP: ASCII keeps them equal.
  assert(not old_line:find('[\128-\255]'), 'the cursor line must be ASCII')
  assert(col <= #old_line, 'column past the end of the line')

  local attached = false
  local client_id = vim.lsp.start({
    name = 'genls',
    cmd = { python, '-m', 'genls', 'serve' },
    root_dir = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(file, ':p'))),
    init_options = { genls = { model = model, maxTokens = 16 } },
    -- on_attach runs after didOpen went out, so requests after it see the document.
    on_attach = function() attached = true end,
    on_exit = function(code, signal)
      exited = true
      report.server_exit = { code = code, signal = signal }
    end,
  }, { bufnr = bufnr })
  if not client_id then
    fail('vim.lsp.start did not start a client')
  end
  client = assert(vim.lsp.get_client_by_id(client_id))

  if not vim.wait(START_TIMEOUT_MS, function() return attached or exited end, 50) then
    fail(('genls did not attach within %d ms'):format(START_TIMEOUT_MS))
  end
  if exited then
    fail('genls exited during startup (see the Neovim LSP log)')
  end
  report.server_name = client.server_info and client.server_info.name
  report.offset_encoding = client.offset_encoding
  report.inline_completion_provider = client.server_capabilities.inlineCompletionProvider ~= nil
  report.supports_inline_completion = client:supports_method('textDocument/inlineCompletion')

  local position = { line = line, character = col }
  local document = { uri = vim.uri_from_bufnr(bufnr) }

  -- Inline completion (LSP 3.18); triggerKind 1 = Invoked.
  local inline = request('textDocument/inlineCompletion', {
    textDocument = document,
    position = position,
    context = { triggerKind = 1 },
  }, bufnr)
  -- The result is an InlineCompletionList or a bare array of items.
  local inline_items = (inline and (inline.items or inline)) or {}
  report.inline = { insert_texts = {}, commands = {} }
  for _, item in ipairs(inline_items) do
    -- insertText may be a StringValue ({ kind = 'snippet', value = ... }).
    local text = type(item.insertText) == 'table' and item.insertText.value or item.insertText
    table.insert(report.inline.insert_texts, text)
    table.insert(report.inline.commands, item.command and item.command.command or vim.NIL)
  end

  -- The completion list on the same position.
  local completion = request('textDocument/completion', {
    textDocument = document,
    position = position,
    context = { triggerKind = 1 },
  }, bufnr)
  local completion_items = (completion and (completion.items or completion)) or {}
  report.completion = {
    is_incomplete = type(completion) == 'table' and completion.isIncomplete or vim.NIL,
    labels = {},
    new_texts = {},
  }
  for _, item in ipairs(completion_items) do
    table.insert(report.completion.labels, item.label)
    table.insert(report.completion.new_texts, item.textEdit and item.textEdit.newText or vim.NIL)
  end

  -- Accept the first inline suggestion: insert it at the cursor, then run its command as an
  -- inline-completion client does after an accept.
  local first = inline_items[1]
  if first then
    local text = report.inline.insert_texts[1]
    vim.api.nvim_buf_set_text(bufnr, line, col, line, col, vim.split(text, '\n', { plain = true }))
    local new_line = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, true)[1]
    local expected = old_line:sub(1, col) .. text .. old_line:sub(col + 1)
    report.accept = {
      old_line = old_line,
      new_line = new_line,
      matches = not text:find('\n', 1, true) and new_line == expected,
    }
    if first.command then
      -- Client:request flushes the pending didChange first, so the server sees the edit.
      request('workspace/executeCommand', {
        command = first.command.command,
        arguments = first.command.arguments,
      }, bufnr)
      report.accept.command_ran = true
    end
  end

  finish(0)
end)
