/**
 * The 71 rows of the published translation file, in its order, English names with their published typos
 * (costruction_tools_garden, home_confort, fashio_female_clothing). Weights are the published products
 * file's product count per category, so the catalogue's mix looks like the real one.
 */
export interface CategoryRef {
  pt: string;
  en: string;
  products: number;
}

const cat = (pt: string, en: string, products: number): CategoryRef => ({ pt, en, products });

export const TRANSLATED_CATEGORIES: readonly CategoryRef[] = [
  cat('beleza_saude', 'health_beauty', 2444),
  cat('informatica_acessorios', 'computers_accessories', 1639),
  cat('automotivo', 'auto', 1900),
  cat('cama_mesa_banho', 'bed_bath_table', 3029),
  cat('moveis_decoracao', 'furniture_decor', 2657),
  cat('esporte_lazer', 'sports_leisure', 2867),
  cat('perfumaria', 'perfumery', 868),
  cat('utilidades_domesticas', 'housewares', 2335),
  cat('telefonia', 'telephony', 1134),
  cat('relogios_presentes', 'watches_gifts', 1329),
  cat('alimentos_bebidas', 'food_drink', 104),
  cat('bebes', 'baby', 919),
  cat('papelaria', 'stationery', 849),
  cat('tablets_impressao_imagem', 'tablets_printing_image', 9),
  cat('brinquedos', 'toys', 1411),
  cat('telefonia_fixa', 'fixed_telephony', 116),
  cat('ferramentas_jardim', 'garden_tools', 753),
  cat('fashion_bolsas_e_acessorios', 'fashion_bags_accessories', 849),
  cat('eletroportateis', 'small_appliances', 231),
  cat('consoles_games', 'consoles_games', 317),
  cat('audio', 'audio', 58),
  cat('fashion_calcados', 'fashion_shoes', 173),
  cat('cool_stuff', 'cool_stuff', 789),
  cat('malas_acessorios', 'luggage_accessories', 349),
  cat('climatizacao', 'air_conditioning', 124),
  cat('construcao_ferramentas_construcao', 'construction_tools_construction', 400),
  cat('moveis_cozinha_area_de_servico_jantar_e_jardim', 'kitchen_dining_laundry_garden_furniture', 94),
  cat('construcao_ferramentas_jardim', 'costruction_tools_garden', 88),
  cat('fashion_roupa_masculina', 'fashion_male_clothing', 95),
  cat('pet_shop', 'pet_shop', 719),
  cat('moveis_escritorio', 'office_furniture', 309),
  cat('market_place', 'market_place', 104),
  cat('eletronicos', 'electronics', 517),
  cat('eletrodomesticos', 'home_appliances', 370),
  cat('artigos_de_festas', 'party_supplies', 26),
  cat('casa_conforto', 'home_confort', 111),
  cat('construcao_ferramentas_ferramentas', 'construction_tools_tools', 39),
  cat('agro_industria_e_comercio', 'agro_industry_and_commerce', 74),
  cat('moveis_colchao_e_estofado', 'furniture_mattress_and_upholstery', 10),
  cat('livros_tecnicos', 'books_technical', 123),
  cat('casa_construcao', 'home_construction', 225),
  cat('instrumentos_musicais', 'musical_instruments', 289),
  cat('moveis_sala', 'furniture_living_room', 156),
  cat('construcao_ferramentas_iluminacao', 'construction_tools_lights', 78),
  cat('industria_comercio_e_negocios', 'industry_commerce_and_business', 68),
  cat('alimentos', 'food', 82),
  cat('artes', 'art', 55),
  cat('moveis_quarto', 'furniture_bedroom', 45),
  cat('livros_interesse_geral', 'books_general_interest', 216),
  cat('construcao_ferramentas_seguranca', 'construction_tools_safety', 63),
  cat('fashion_underwear_e_moda_praia', 'fashion_underwear_beach', 53),
  cat('fashion_esporte', 'fashion_sport', 19),
  cat('sinalizacao_e_seguranca', 'signaling_and_security', 93),
  cat('pcs', 'computers', 30),
  cat('artigos_de_natal', 'christmas_supplies', 128),
  cat('fashion_roupa_feminina', 'fashio_female_clothing', 37),
  cat('eletrodomesticos_2', 'home_appliances_2', 90),
  cat('livros_importados', 'books_imported', 31),
  cat('bebidas', 'drinks', 81),
  cat('cine_foto', 'cine_photo', 28),
  cat('la_cuisine', 'la_cuisine', 10),
  cat('musica', 'music', 27),
  cat('casa_conforto_2', 'home_comfort_2', 5),
  cat('portateis_casa_forno_e_cafe', 'small_appliances_home_oven_and_coffee', 10),
  cat('cds_dvds_musicais', 'cds_dvds_musicals', 1),
  cat('dvds_blu_ray', 'dvds_blu_ray', 48),
  cat('flores', 'flowers', 14),
  cat('artes_e_artesanato', 'arts_and_craftmanship', 19),
  cat('fraldas_higiene', 'diapers_and_hygiene', 12),
  cat('fashion_roupa_infanto_juvenil', 'fashion_childrens_clothes', 5),
  cat('seguros_e_servicos', 'security_and_services', 2),
];

/** Categories products use that the translation file does not list (a real gap a gold join must survive). */
export const UNTRANSLATED_CATEGORIES: readonly { pt: string; products: number }[] = [
  { pt: 'pc_gamer', products: 3 },
  { pt: 'portateis_cozinha_e_preparadores_de_alimentos', products: 10 },
];

/** Products with an empty category in the published file. */
export const UNCATEGORIZED_PRODUCTS = 610;
