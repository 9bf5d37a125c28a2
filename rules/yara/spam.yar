// Spam, SEO poisoning and phishing pages shipped as static web content or READMEs.

private rule web_page
{
    strings:
        $html = /<(html|body|div|a|p|form|head)[\s>]/ nocase
    condition:
        $html
}

rule spam_hidden_link_block
{
    meta:
        category = "spam"
        severity = "medium"
        description = "Hidden block of links with gambling, pharma or piracy keywords (SEO spam)"
        anchors = "$hidden_block"
    strings:
        $hidden_block = /<(div|span|p|section)[^>]{0,200}style\s*=\s*["'][^"']{0,80}(display\s*:\s*none|visibility\s*:\s*hidden|(left|top|text-indent)\s*:\s*-[0-9]{3,}px|font-size\s*:\s*0(px)?\s*[;"'])[^>]{0,200}>\s*(<[^>]{1,200}>\s*){0,3}<a\s[^>]{1,300}>[^<]{1,120}<\/a>\s*[^<]{0,40}(<[^>]{1,20}>\s*){0,3}<a\s[^>]{1,300}>[^<]{1,120}<\/a>\s*[^<]{0,40}(<[^>]{1,20}>\s*){0,3}<a\s[^>]{1,300}>/ nocase
        $kw_gamble = /\b(casino|slot\s?online|slot\s?gacor|judi\s?online|togel|sbobet|poker\s?online|sportsbook|betting\s?site)/ nocase
        $kw_pharma = /\b(viagra|cialis|levitra|kamagra|tadalafil|sildenafil|buy\s+(cheap\s+)?(xanax|tramadol|oxycodone|valium|ambien))/ nocase
        $kw_pirate = /\b(keygen\s+(download|free|crack|full|for|serial|v?[0-9])|(crack|patch|serial)\s*[+&]?\s*keygen|crack\s+download|serial\s+key|activation\s+key\s+free|full\s+version\s+free\s+download|free\s+v-?bucks|robux\s+generator)/ nocase
    condition:
        not detection_content and web_page and $hidden_block and (#kw_gamble + #kw_pharma + #kw_pirate) >= 3
}

rule spam_seo_keyword_stuffing
{
    meta:
        category = "spam"
        severity = "medium"
        description = "Page or README stuffed with gambling, pharma or piracy keywords and links"
        anchors = "$link"
    strings:
        $kw_gamble = /\b(casino|slot\s?online|slot\s?gacor|judi\s?online|togel|sbobet|poker\s?online|sportsbook|situs\s?slot|betting\s?site)/ nocase
        $kw_pharma = /\b(viagra|cialis|levitra|kamagra|tadalafil|sildenafil|buy\s+(cheap\s+)?(xanax|tramadol|oxycodone|valium|ambien)|online\s+pharmacy)/ nocase
        $kw_pirate = /\b(keygen\s+(download|free|crack|full|for|serial|v?[0-9])|(crack|patch|serial)\s*[+&]?\s*keygen|crack\s+download|serial\s+key|activation\s+key\s+free|full\s+version\s+free\s+download|free\s+v-?bucks|robux\s+generator|mod\s+apk\s+unlimited)/ nocase
        $link = /(href\s*=\s*["']?https?:\/\/|\]\(https?:\/\/)/ nocase
    condition:
        not detection_content and filesize < 3MB and #link >= 8
        and (#kw_gamble >= 12 or #kw_pharma >= 12 or #kw_pirate >= 12 or (#kw_gamble + #kw_pharma + #kw_pirate) >= 20)
}

rule spam_phishing_card_form
{
    meta:
        category = "spam"
        severity = "high"
        description = "Phishing page: card-number and CVV form posting to an absolute URL"
        anchors = "$_cvv_name"
    strings:
        $form_remote = /<form[^>]{0,300}action\s*=\s*["']?(https?:)?\/\/[^"'\s>]{3,200}/ nocase
        $field_card = /name\s*=\s*["']?(cc|ccnum|cc_?number|card_?num(ber)?|cardnumber|card_no|pan|credit_?card)["'\s>]/ nocase
        $field_cvv = /name\s*=\s*["']?(cvv2?|cvc2?|csc|card_?code|security_?code)["'\s>]/ nocase
        $field_exp = /name\s*=\s*["']?(exp|expiry|exp_?date|expiration|exp_?month|exp_?year|mm|yy)["'\s>]/ nocase
        $bait = /(verify\s+your\s+(account|identity|card)|account\s+(has\s+been\s+)?(suspended|locked|limited)|confirm\s+your\s+(billing|payment)|update\s+your\s+payment)/ nocase
        // Anchor only: the field name $field_cvv ends with (its "name" is everywhere).
        $_cvv_name = /=\s*["']?(cvv2?|cvc2?|csc|card_?code|security_?code)["'\s>]/ nocase
    condition:
        not detection_content and web_page and filesize < 2MB and $form_remote and $field_card and $field_cvv and ($field_exp or $bait)
}

rule spam_phishing_kit_backend
{
    meta:
        category = "spam"
        severity = "high"
        description = "Phishing kit back end: posted card data sent away by mail or a Telegram bot"
        anchors = "$post_cvv"
    strings:
        $post_card = /\$_(POST|REQUEST)\s*\[\s*["'](cc|ccnum|cc_?number|card_?num(ber)?|cardnumber)["']\s*\]/ nocase
        $post_cvv = /\$_(POST|REQUEST)\s*\[\s*["'](cvv2?|cvc2?|csc)["']\s*\]/ nocase
        $mail = /(^|[^>:\w$])mail\s*\(/
        $telegram = /api\.telegram\.org\/bot/
        $drop = /(fopen|file_put_contents)\s*\([^)\n]{0,100}\.(txt|log|html)["']/
    condition:
        not detection_content and filesize < 2MB and $post_card and $post_cvv and ($mail or $telegram or $drop)
}

rule spam_redirect_foreign
{
    meta:
        category = "spam"
        severity = "medium"
        description = "Static page that sends visitors elsewhere through an obfuscated or shady redirect"
        anchors = "$_refresh $_js_location $_js_replace"
    strings:
        $meta_refresh = /<meta[^>]{1,80}http-equiv\s*=\s*["']?refresh["']?[^>]{1,80}url\s*=\s*["']?https?:\/\/[^"'>\s]{3,200}/ nocase
        $js_assign = /(window|document|top|self)\.location(\.href)?\s*=\s*["']https?:\/\/[^"'\s]{3,200}["']/ nocase
        $js_replace = /location\.replace\s*\(\s*["']https?:\/\/[^"'\s]{3,200}["']\s*\)/ nocase
        $shady_tld = /https?:\/\/[a-z0-9.\-]{1,100}\.(xyz|top|click|tk|ml|ga|cf|gq|icu|buzz|rest|cam|monster|sbs|cfd|quest|bond|lol)([\/"'\s?:#]|$)/ nocase
        $shortener = /https?:\/\/(bit\.ly|tinyurl\.com|goo\.gl|is\.gd|cutt\.ly|rb\.gy|shorturl\.at|tiny\.cc|t\.ly|v\.gd)\// nocase
        $obf = /(eval\s*\(\s*(unescape|atob|String\.fromCharCode)\s*\(|document\.write\s*\(\s*unescape\s*\()/
        $kw = /\b(casino|slot\s?gacor|viagra|cialis|keygen\s+(download|free|crack|full|for|serial|v?[0-9])|(crack|patch|serial)\s*[+&]?\s*keygen|crack\s+download|free\s+v-?bucks)\b/ nocase
        // Anchors only: the part of each redirect every match holds.
        $_refresh = "http-equiv" nocase
        $_js_location = /location(\.href)?\s*=\s*["']https?:/ nocase
        $_js_replace = /location\.replace\s*\(/ nocase
    condition:
        not detection_content and web_page and filesize < 1MB
        and ($meta_refresh or $js_assign or $js_replace)
        and ($shady_tld or $shortener or $obf or #kw >= 3)
}
